"""The only code that knows AWS event shapes: API Gateway requests and answers (CORS, error mapping) and
SES receipt notifications. The domain below it never sees an event."""
