"""A rights request mail read: pure functions over the raw bytes, no I/O, nothing logged.

In the order a mail goes through them:

- ``parse``: ``parse_mail(raw) -> InboundMail``, the entry point; never raises;
- ``limits``: the bounds on what one mail may cost; past one, a mail is read from its headers only;
- ``headers``: the sender's address, whether the mail was sent automatically, a header's text;
- ``body``: the MIME walk over the parts, text parts decoded, attachments counted;
- ``html_text``: an HTML part as plain lines;
- ``replies``: reply or forward, and the part of the body that states the request;
- ``language``: the language the person is answered in;
- ``own_text``: the person's own new text, what the classifier may read;
- ``classify``: which right the mail asks for, a hint the person confirms or changes;
- ``folding``: the accent- and case-insensitive form the matchers compare.

docs/inbound-mail.md describes the mailbox; docs/architecture.md §2 where this sits.
"""
