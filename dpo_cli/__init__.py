"""``contact-intake-dpo``: the DPO's command line for rights requests, over the IAM-signed DPO API.

Not part of the Lambda layer: it runs on the DPO's machine with their own AWS credentials.
"""
