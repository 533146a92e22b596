"""The WeChat official account channel.

``routes.install`` adds ``GET/POST /wechat``; ``sender.build_sender`` gives the outbox its
WeChat sender; ``cli.wechat_app`` is ``jobbot wechat``. See docs/wechat.md.
"""
