package certificates

// RenderStored renders a PDF from a certificate's stored inputs, as the
// service does after the commit.
var RenderStored = renderStored

// SetRenderer replaces the service's renderer of stored inputs (nil puts
// the real one back), so that tests can make rendering fail or panic after
// the commit, as a crash would leave it.
// SetRenderSlots sets how many PDFs the service renders at once.
func SetRenderSlots(s *Service, n int) { s.renders = make(chan struct{}, n) }

func SetRenderer(s *Service, render func(Kind, string) ([]byte, error)) {
	if render == nil {
		render = renderStored
	}
	s.render = render
}
