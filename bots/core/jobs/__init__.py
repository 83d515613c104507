"""Scheduled runs: the jobs file, schedules, the runner, its history, scheduler configuration. Pure."""
