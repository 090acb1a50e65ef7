// soak-load: a bounded loopback HTTP load for `make soak` (tools/soak.sh).
//
//	soak-load -url http://127.0.0.1:PORT/ -rate 200 [-timeout 5s] [-max 256]
//
// sends GET requests at a fixed rate (open loop: one every 1/rate s, whether or
// not the ones before have answered, at most -max in flight) until SIGTERM or
// SIGINT, then prints one line and exits 0:
//
//	requests N failed F p50 A p99 B max C
//
// F counts requests that got an error, a status other than 200, a body not
// starting with "ok", no answer within -timeout, or that could not be sent
// because -max were in flight; A, B, C are latencies in ms of the answered ones.
// The standard library only; builds with Go 1.19 and newer.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	url := flag.String("url", "", "the URL to GET")
	rate := flag.Int("rate", 200, "requests per second")
	timeout := flag.Duration("timeout", 5*time.Second, "a request without an answer by then fails")
	max := flag.Int("max", 256, "requests in flight at most")
	flag.Parse()
	if *url == "" || *rate <= 0 || *max <= 0 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(64)
	}
	client := &http.Client{
		Timeout:   *timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: *max},
	}
	var (
		mu        sync.Mutex
		latencies []float64
		failed    int64
		requests  int64
		inflight  int64
		wg        sync.WaitGroup
	)
	one := func() {
		defer wg.Done()
		defer atomic.AddInt64(&inflight, -1)
		t0 := time.Now()
		resp, err := client.Get(*url)
		if err != nil {
			fmt.Fprintf(os.Stderr, "soak-load: %v\n", err)
			atomic.AddInt64(&failed, 1)
			return
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(string(body), "ok") {
			fmt.Fprintf(os.Stderr, "soak-load: status %d, %v\n", resp.StatusCode, err)
			atomic.AddInt64(&failed, 1)
			return
		}
		ms := float64(time.Since(t0)) / float64(time.Millisecond)
		mu.Lock()
		latencies = append(latencies, ms)
		mu.Unlock()
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	tick := time.NewTicker(time.Second / time.Duration(*rate))
loop:
	for {
		select {
		case <-stop:
			break loop
		case <-tick.C:
			requests++
			if atomic.AddInt64(&inflight, 1) > int64(*max) {
				atomic.AddInt64(&inflight, -1)
				atomic.AddInt64(&failed, 1)
				continue
			}
			wg.Add(1)
			go one()
		}
	}
	tick.Stop()
	wg.Wait()
	sort.Float64s(latencies)
	q := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))]
	}
	fmt.Printf("requests %d failed %d p50 %.1f p99 %.1f max %.1f\n",
		requests, atomic.LoadInt64(&failed), q(0.5), q(0.99), q(1))
}
