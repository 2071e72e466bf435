"""Integrations: named API clients with a Content key and an Admin key (issue 18).

Owns the `Integration` and `ApiKey` models, key issue/verification/revocation (`services`),
the `masthead integrations create|list|revoke` command and the admins' newsroom pages at
/newsroom/integrations/ (`views`: integrations and keys, webhooks and their delivery log with
redelivery, and the API reference rendered from the generated description).

An integration acts through a service account (a Django user with no usable password) holding
its role, so an Admin key is bound by exactly the newsroom's policy: the API calls the
newsroom's service functions with that user and nothing else decides.

Public functions: `services.create_integration`, `services.revoke_integration`,
`services.authenticate(raw_key, kinds)`.
"""
