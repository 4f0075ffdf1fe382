"""The only code that knows AWS event shapes: API Gateway requests and answers (CORS, error mapping, the
error body's declaration), SQS batches, EventBridge's envelope and SES receipt notifications. The domain
below it never sees an event."""
