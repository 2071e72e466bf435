"""Moving in and out: JSON Lines, WordPress WXR, RSS/Atom feeds and article pages in; JSON
Lines and WXR out. Sources parse into `records`; `services.store_records` stores them.
"""
