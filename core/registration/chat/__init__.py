"""The registration dialogs: 登记 (with its three forms) and the review of one from 待办."""
