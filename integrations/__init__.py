"""The outside world: department channels, member messaging, inbound webhooks.

One client module per channel; the only package that talks to the network.
"""
