"""Kerne's database backends: Django's own, with the few changes Kerne needs."""
