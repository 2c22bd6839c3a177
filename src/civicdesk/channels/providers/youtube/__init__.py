"""YouTube comments on the agency's channel's videos: polled comment threads, comment replies, daily quota."""
