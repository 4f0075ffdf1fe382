"""The helpdesk port (in domain verbs) and its one adapter, Freshdesk."""
