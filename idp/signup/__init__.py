"""Self-registration, channel confirmation, password recovery and self-service views (issue 3).

Nothing here imports FastAPI: the routes in ``idp.web.routes_signup`` and ``idp.web.routes_selfservice``
parse the forms, call these services and render the outcome.
"""
