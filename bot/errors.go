package bot

import (
	"errors"

	"github.com/incubot/incubot/knowledge/corpus"
)

func isNotFound(err error) bool { return errors.Is(err, corpus.ErrNotFound) }

func isInvalid(err error) bool { return errors.Is(err, corpus.ErrInvalid) }
