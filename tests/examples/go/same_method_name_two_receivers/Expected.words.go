package units

import (
	"fmt"
	"math"
)

type Meters float64

type Feet float64

func (m Meters) Feet() Feet {
	return Feet(float64(m) * 3.28084)
}

func (f Feet) Meters() Meters {
	return Meters(math.Round(float64(f)/3.28084*1000) / 1000)
}

func describe(v fmt.Stringer) string {
	return "value " + v.String()
}

func (m Meters) String() string {
	return fmt.Sprintf("%.2f m", float64(m))
}

func (f Feet) String() string {
	return fmt.Sprintf("%.1f ft", float64(f))
}
