package account

import "time"

// SetHashQueueWait changes how long a password hash may wait for a slot, so
// that tests about counting do not depend on how busy the machine is.
func SetHashQueueWait(s *Service, d time.Duration) { s.hashQueueWait = d }

// HashSlots returns the channel whose capacity bounds concurrent hashing.
func HashSlots(s *Service) chan struct{} { return s.hashSlots }
