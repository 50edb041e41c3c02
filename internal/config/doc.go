// Package config is autogql's server configuration: one typed Config with
// documented defaults (Default), environment profiles
// (development|staging|production), and Load, which layers
// flags > environment (AUTOGQL_*, DATABASE_URL, REDIS_URL, PORT, and
// NAME_FILE for secrets kept in files) > autogql.yaml (strict: an unknown
// key is an error at its line and column) > profile > defaults. Validate
// refuses unsafe production settings with a message saying what to change;
// Print shows the effective configuration with secrets masked.
//
// It sits at the top of the flow: internal/cli loads it and
// internal/server turns it into the options of every component.
package config
