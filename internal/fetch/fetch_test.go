package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(r.Header.Get("Accept")))
		case "/big":
			w.Write([]byte(strings.Repeat("x", 100)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	if b, err := Get(ctx, srv.Client(), srv.URL+"/ok", "text/plain", 100); err != nil || string(b) != "text/plain" {
		t.Errorf("ok: %q, %v", b, err)
	}
	if _, err := Get(ctx, srv.Client(), srv.URL+"/big", "", 99); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big: %v, want ErrTooLarge", err)
	}
	var se *StatusError
	if _, err := Get(ctx, srv.Client(), srv.URL+"/none", "", 100); !errors.As(err, &se) || se.Status != "404 Not Found" {
		t.Errorf("missing: %v, want a 404 StatusError", err)
	}
}

func TestIsGzip(t *testing.T) {
	if !IsGzip([]byte{0x1f, 0x8b, 8}) || IsGzip([]byte{0x1f}) || IsGzip([]byte("{}")) {
		t.Error("IsGzip")
	}
}
