import os

# Playwright's sync API keeps an asyncio loop running on the main thread
# (shared/notes/browser-testing.md); Django would refuse ORM calls otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
