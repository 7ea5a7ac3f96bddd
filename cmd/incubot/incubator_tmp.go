package main

import (
	"context"

	"github.com/incubot/incubot/bot"
	"github.com/incubot/incubot/internal/postgres"
)

func (a *app) people(db *postgres.DB) bot.People                            { return nil }
func (a *app) addIncubatorCommands(r *bot.Router, db *postgres.DB)          {}
func (a *app) loadIncubatorDemo(ctx context.Context, db *postgres.DB) error { return nil }
