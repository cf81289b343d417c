"""Exercise 4: who may join a chat room (the seed's D-2: a room is a project of an organisation)."""

from teams.models import Project


# --8<-- [start:solution]
async def room_for(user, slug: str):
    if user is None or not user.is_authenticated:
        return None
    # One query through the async ORM: the project, only if the user belongs to its organisation.
    # An unknown slug and a forbidden one both give None, so nobody can probe which projects exist.
    return await Project.objects.filter(slug=slug, organization__members=user).afirst()
# --8<-- [end:solution]
