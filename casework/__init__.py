"""The domain: organisations, people and roles, members, signals, policy, cases and audit.

No HTTP and no workflow imports here: services.py-style modules write, selectors read.
"""
