"""Exercise 4: who may join a chat room (the seed's D-2: a room is a project of an organisation).

The chat consumer calls `await room_for(user, slug)` when a socket opens ws/chat/<slug>/. Return the
Project whose slug it is when the user may chat there, else None (the consumer then closes with 4403):

- a user may join the rooms of the projects of the organisations they are a member of;
- nobody else: not a visitor who isn't logged in, not a member of another organisation;
- an unknown slug gets None too (the same answer as "forbidden", so nobody can probe for projects).

It runs inside the server's event loop: use the async ORM (a sync query here raises
SynchronousOnlyOperation).
"""

from teams.models import Project


async def room_for(user, slug: str):
    # TODO: only members of the project's organisation, and only logged-in users.
    return await Project.objects.filter(slug=slug).afirst()
