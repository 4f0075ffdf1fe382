"""The intake: the form model, the captcha check, the inquiry store and queue, the customer-account mirror
that chooses the lawful basis, and the forwarder that hands each inquiry to the helpdesk."""
