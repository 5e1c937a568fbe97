"""The operator console (issue 4): its own ASGI app and port, an OpenID Connect client of NIXA itself.

``admin.web.app.create_admin_app(platform, admin_settings)`` builds it; ``nixa admin serve`` runs it.
Sections (verification, citizens, portals, keys, audit, dashboard) are registered in ``admin.web.sections``
so that later issues add theirs by adding a module.
"""
