"""Contact Intake: the domain code shared by every function, cut by capability.

``core`` (shared by all), ``helpdesk`` (the port and its adapter), ``intake``, ``recordings``,
``retention``, ``rights``, and ``api`` (the only part that knows event shapes). Each part imports only
the parts below it in that order (docs/architecture.md §2; checked by ``make test``). Handlers in
``functions/`` only adapt events to what lives here.
"""
