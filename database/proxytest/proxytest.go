// Package proxytest is a TCP proxy that tests put between Ordi and its
// PostgreSQL server, to make the database hang or stop on demand.
package proxytest

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy forwards connections to a target address until told otherwise.
type Proxy struct {
	target string
	ln     net.Listener

	mu      sync.Mutex
	frozen  bool
	conns   []net.Conn
	release chan struct{} // closed at cleanup: frozen copies give up
}

// Start listens on a free loopback port and forwards to target (host:port).
// Everything is closed when the test ends.
func Start(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{target: target, ln: ln, release: make(chan struct{})}
	go p.accept()
	tb.Cleanup(func() {
		close(p.release)
		p.Stop()
	})
	return p
}

// URL returns rawURL with its host and port replaced by the proxy's.
func (p *Proxy) URL(tb testing.TB, rawURL string) string {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	u.Host = p.ln.Addr().String()
	return u.String()
}

// Target returns the host:port of a URL, for Start.
func Target(tb testing.TB, rawURL string) string {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	host := u.Hostname()
	if host == "" {
		host = "localhost"
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	return net.JoinHostPort(host, port)
}

// Freeze makes the database hang: connections stay open and new ones are
// accepted, but no byte goes through any more in either direction, as
// when the server's processes are stopped (SIGSTOP) or the network drops
// packets.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frozen = true
}

// Stop makes the database stopped: every connection is closed and new ones
// are refused.
func (p *Proxy) Stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *Proxy) isFrozen() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frozen
}

// track records c so that Stop closes it.
func (p *Proxy) track(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns = append(p.conns, c)
}

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.track(client)
		if p.isFrozen() {
			continue // accepted, never answered
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.track(server)
		go p.copy(server, client)
		go p.copy(client, server)
	}
}

// copy forwards src to dst chunk by chunk; once frozen, it holds what it
// read and forwards nothing more.
func (p *Proxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if p.isFrozen() {
				<-p.release
				return
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				src.Close()
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}
