# Finland-Swedish writes dates and numbers as Finnish does (21.11.2026, 1 234,50), not as
# Sweden does, which Django's own "sv" formats follow.
from config.formats.fi.formats import *  # noqa: F401,F403
