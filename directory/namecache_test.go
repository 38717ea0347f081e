package directory

import (
	"fmt"
	"slices"
	"testing"
)

func TestNameCache(t *testing.T) {
	c := newNameCache(5) // rounded up to 8 slots
	if len(c.slots) != 8 {
		t.Fatalf("%d slots, want 8", len(c.slots))
	}
	if _, ok := c.get([]byte("MARTIN")); ok {
		t.Fatal("empty cache found a name")
	}
	c.put([]byte("MARTIN"), []string{"N:MARTIN", "D:MARTIN"})
	if h, ok := c.get([]byte("MARTIN")); !ok || !slices.Equal(h, []string{"N:MARTIN", "D:MARTIN"}) {
		t.Errorf("MARTIN: %v %v", h, ok)
	}
	c.put([]byte("DUPONT"), nil)
	if h, ok := c.get([]byte("DUPONT")); !ok || h != nil {
		t.Errorf("DUPONT: %v %v", h, ok)
	}
	// DUPONT may have taken MARTIN's slot: MARTIN is then a miss, never
	// DUPONT's answer.
	if h, ok := c.get([]byte("MARTIN")); ok && !slices.Equal(h, []string{"N:MARTIN", "D:MARTIN"}) {
		t.Errorf("MARTIN after DUPONT: %v", h)
	}
	// Many names: every answer is either a miss or the right one.
	for i := range 5000 {
		c.put(fmt.Appendf(nil, "NAME%d", i), []string{fmt.Sprint(i)})
	}
	found := 0
	for i := range 5000 {
		if h, ok := c.get(fmt.Appendf(nil, "NAME%d", i)); ok {
			found++
			if len(h) != 1 || h[0] != fmt.Sprint(i) {
				t.Fatalf("NAME%d: %v", i, h)
			}
		}
	}
	if found == 0 || found > 8 {
		t.Errorf("%d of 5000 names found in 8 slots", found)
	}
	// The arena starts afresh when full, and names stay right.
	big := make([]byte, arenaLimit/5)
	for i := range 10 {
		big[0] = byte('A' + i)
		c.put(big, []string{string(big[:1])})
		if h, ok := c.get(big); !ok || h[0] != string(big[:1]) {
			t.Fatalf("big name %d: %v %v", i, h, ok)
		}
	}
	if len(c.arena) > arenaLimit {
		t.Errorf("arena %d bytes, over %d", len(c.arena), arenaLimit)
	}
	none := newNameCache(0)
	none.put([]byte("MARTIN"), []string{"N:MARTIN"})
	if _, ok := none.get([]byte("MARTIN")); ok {
		t.Error("a cache of size 0 kept a name")
	}
}
