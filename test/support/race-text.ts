/**
 * `go test -race` reports as people paste them, made up for a package: each `n` gives a race
 * of its own (its own type and functions), so issues about one package can be filed by the
 * dozen without being one another's duplicates.
 */
export function raceReport(pkg: string, n: number, module = 'github.com/pingcap/tidb'): string {
  const frame = (fn: string, line: number) => [`  ${module}/${pkg}.(*worker${n}).${fn}()`, `      ${pkg}/worker${n}.go:${line} +0x${(line * 7).toString(16)}`];
  return [
    '```',
    '==================',
    'WARNING: DATA RACE',
    `Write at 0x00c0001${String(n).padStart(5, '0')} by goroutine ${100 + n}:`,
    ...frame(`store${n}`, 40 + n),
    ...frame(`apply${n}`, 90 + n),
    '',
    `Previous read at 0x00c0001${String(n).padStart(5, '0')} by goroutine ${200 + n}:`,
    ...frame(`load${n}`, 140 + n),
    ...frame(`poll${n}`, 190 + n),
    '',
    `Goroutine ${100 + n} (running) created at:`,
    `  ${module}/${pkg}.(*worker${n}).start()`,
    `      ${pkg}/worker${n}.go:20 +0x64`,
    '==================',
    '```',
  ].join('\n');
}

/** A Go panic with its goroutine's stack in `pkg`: no race, but it says which code failed. */
export function panicReport(pkg: string, n: number, module = 'github.com/pingcap/tidb'): string {
  return [
    '```',
    `panic: runtime error: invalid memory address or nil pointer dereference [recovered]`,
    '',
    `goroutine ${300 + n} [running]:`,
    `${module}/${pkg}.(*handler${n}).serve(0x0)`,
    `\t${pkg}/handler${n}.go:${50 + n} +0x1f`,
    `${module}/${pkg}.(*handler${n}).run(0xc000123456)`,
    `\t${pkg}/handler${n}.go:${80 + n} +0x2a`,
    '```',
  ].join('\n');
}
