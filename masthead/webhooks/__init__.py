"""Webhooks: an integration's subscriptions to events, signed and delivered by the job queue.

Owns `Subscription`, `Delivery` and `Attempt`; the receivers that turn article and comment
signals into deliveries (`signal_handlers`, inside the change's transaction); Standard Webhooks
signing (`signing`); a transport that refuses private targets and follows no redirect
(`transport`); delivery with retries, backoff and automatic disabling (`services`, `tasks`);
`masthead webhooks add|list|redeliver`; and the admins' delivery log at /newsroom/webhooks/.

Public functions: `services.subscribe`, `services.redeliver`, `services.EVENTS`.
"""
