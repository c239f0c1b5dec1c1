package certify

import (
	"testing"

	"github.com/lectern-platform/lectern/internal/store"
	"github.com/lectern-platform/lectern/internal/vc"
)

// The store sizes the lists it places certificates in; the lists served
// must be as long, and as long as the W3C minimum.
func TestStatusList_SizeIsTheMinimum(t *testing.T) {
	if store.StatusListSize != vc.MinStatusListBits {
		t.Errorf("store.StatusListSize %d, vc.MinStatusListBits %d", store.StatusListSize, vc.MinStatusListBits)
	}
}
