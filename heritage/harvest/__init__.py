"""Harvesting and exchange: the ledger of what harvesters were shown, the OAI-PMH 2.0 provider
(protocol logic without HTTP), and the change list behind IIIF Change Discovery."""
