"""政策资讯: browsing the notices in content/notices.yaml."""
