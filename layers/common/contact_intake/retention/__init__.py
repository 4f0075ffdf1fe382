"""Deletion as promised: erasure (with its ledger), the sweeper, closure after resolution and the account
events that end a customer's retention."""
