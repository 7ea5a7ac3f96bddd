package bot

import (
	"errors"

	"github.com/incubot/incubot/knowledge"
)

func isNotFound(err error) bool { return errors.Is(err, knowledge.ErrNotFound) }

func isInvalid(err error) bool { return errors.Is(err, knowledge.ErrInvalid) }
