"""Contact Intake: the domain code shared by every function (models, retention, captcha, stores, services).

Handlers in ``functions/`` only adapt events to what lives here; nothing in this package knows API Gateway.
"""
