// Command bigdata writes the large national casualty datasets of the
// streaming benchmark (scripts/bench-datasets.sh, BENCHMARKS.md):
//
//	bigdata -csv FILE -mb 200        # a Colombia-like register, one row per casualty, ~200 MB
//	bigdata -xlsx FILE -rows 1000000 # the same columns that fit a workbook, one row per casualty
//
// Rows are pseudo-random but reproducible (-seed). The CSV has the MAP/MUSE
// columns (departamento … Actividad, with the swapped estado/genero headers,
// quoted "2,006" years and coordinates that make nearly every row
// distinct); the workbook has ano, estado, genero, edad (ages in years, as
// numbers), written with excelize's StreamWriter so it never sits in
// memory. It prints the rows written and, per year, killed and injured, so
// a run can be checked against the database.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"

	"github.com/xuri/excelize/v2"
)

var (
	departamentos = []string{"ANTIOQUIA", "META", "CAUCA", "NARIÑO", "CAQUETA", "BOLIVAR", "NORTE DE SANTANDER", "PUTUMAYO", "TOLIMA", "ARAUCA"}
	municipios    = []string{"GRANADA", "VISTAHERMOSA", "TUMACO", "MONTAÑITA", "SAN CARLOS", "TAME", "ITUANGO", "BRICEÑO", "CONVENCIÓN", "PLANADAS"}
	rangos        = []string{"Mayor de 18 años", "Mayor de 18 años", "Mayor de 18 años", "Menor de 18 años", "Sin información"}
	condiciones   = []string{"Civil", "Fuerza pública", "Fuerza pública"}
	sexes         = []string{"Hombre", "Hombre", "Hombre", "Mujer", "Sin información"}
	outcomes      = []string{"Herido", "Herido", "Herido", "Muerto"}
	etnias        = []string{"no", "no", "no", "Indígena", "Afrocolombiano", "Sin información"}
	actividades   = []string{"Pasando, estando cerca", "Erradicador manual - PCI", "Desminado militar en operaciones", "Sin información"}
)

func main() {
	csvPath := flag.String("csv", "", "write a CSV register to this file")
	mb := flag.Int("mb", 200, "CSV size in MB (10^6 bytes)")
	xlsxPath := flag.String("xlsx", "", "write a workbook to this file")
	rows := flag.Int("rows", 1_000_000, "workbook data rows")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *csvPath == "" && *xlsxPath == "" {
		fmt.Fprintln(os.Stderr, "bigdata: give -csv FILE and/or -xlsx FILE")
		os.Exit(2)
	}
	if *csvPath != "" {
		if err := writeCSV(*csvPath, int64(*mb)*1_000_000, rand.New(rand.NewPCG(*seed, 1))); err != nil {
			fmt.Fprintln(os.Stderr, "bigdata:", err)
			os.Exit(1)
		}
	}
	if *xlsxPath != "" {
		if err := writeXLSX(*xlsxPath, *rows, rand.New(rand.NewPCG(*seed, 2))); err != nil {
			fmt.Fprintln(os.Stderr, "bigdata:", err)
			os.Exit(1)
		}
	}
}

// tally counts casualties per year and outcome, for the summary line.
type tally map[int]*[2]int64

func (t tally) add(year int, killed bool) {
	if t[year] == nil {
		t[year] = &[2]int64{}
	}
	if killed {
		t[year][0]++
	} else {
		t[year][1]++
	}
}

func (t tally) print(path string, rows int64) {
	years := make([]int, 0, len(t))
	var k, i int64
	for y, c := range t {
		years = append(years, y)
		k += c[0]
		i += c[1]
	}
	sort.Ints(years)
	fmt.Printf("%s: %d rows, %d years %d-%d, killed %d, injured %d\n", path, rows, len(years), years[0], years[len(years)-1], k, i)
}

func writeCSV(path string, size int64, r *rand.Rand) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	// The real file's header, BOM and swapped estado (sex) / genero (outcome).
	fmt.Fprint(w, "\xEF\xBB\xBFdepartamento,codigodanedepartamento,municipio,codigodanemunicipio,tipoarea,sitio,ano,mes,rangoedad,"+
		"grupoetnico,condicion,estado,genero,latitudcabecera,longitudcabecera,tipoevento,Ubicación,Actividad\n")
	var written int64
	var n int64
	t := tally{}
	for written < size {
		d := r.IntN(len(departamentos))
		year := 1990 + r.IntN(35)
		out := outcomes[r.IntN(len(outcomes))]
		lat, lon := 1+r.Float64()*10, -78+r.Float64()*8
		line := fmt.Sprintf("%s,%d,%s,\"%d,%03d\",%s,Sin información,\"%d,%03d\",%d,%s,%s,%s,%s,%s,%.9f,%.9f,Sin informacion,\"(%.6f, %.6f)\",\"%s\"\n",
			departamentos[d], 5+d*3, municipios[r.IntN(len(municipios))], 5+d*3, r.IntN(1000),
			[]string{"Rural", "Urbana"}[r.IntN(2)], year/1000, year%1000, 1+r.IntN(12), rangos[r.IntN(len(rangos))],
			etnias[r.IntN(len(etnias))], condiciones[r.IntN(len(condiciones))], sexes[r.IntN(len(sexes))], out, lat, lon, lat, lon,
			actividades[r.IntN(len(actividades))])
		k, err := w.WriteString(line)
		if err != nil {
			f.Close()
			return err
		}
		written += int64(k)
		n++
		t.add(year, out == "Muerto")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	t.print(path, n)
	return nil
}

func writeXLSX(path string, rows int, r *rand.Rand) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Victimas"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"ano", "estado", "genero", "edad"}); err != nil {
		return err
	}
	t := tally{}
	row := make([]any, 4)
	for i := range rows {
		year := 1990 + r.IntN(35)
		out := outcomes[r.IntN(len(outcomes))]
		row[0], row[1], row[2], row[3] = year, sexes[r.IntN(len(sexes))], out, 1+r.IntN(80)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
		t.add(year, out == "Muerto")
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := x.SaveAs(path); err != nil {
		return err
	}
	t.print(path, int64(rows))
	return nil
}
