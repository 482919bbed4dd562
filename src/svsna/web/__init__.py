"""The web SNA (``svsna serve``): a public tier from the public release and a partner tier after login.

Modules: :mod:`~svsna.web.release` (the only module that knows the release layout, with
readers confined to their folders), :mod:`~svsna.web.data` (tables prepared for pages),
:mod:`~svsna.web.pages` (page contents), :mod:`~svsna.web.changes` (what changed since the
last assessment), :mod:`~svsna.web.users` (the users file), :mod:`~svsna.web.audit` (the
audit log), :mod:`~svsna.web.security` (sessions, CSRF, throttling, headers),
:mod:`~svsna.web.app` (routes) and :mod:`~svsna.web.server` (start-up).

Nothing else in svsna imports this package (it sits at the right of the layer chain, like
the CLI). See ``docs/web.md``.
"""
