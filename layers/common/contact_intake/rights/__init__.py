"""Data subject rights (GDPR Art. 15-22): requests by e-mail or through the DPO, verified, executed."""
