# Sourced by the scripts that take something from a Go module into netfence's cache (network-policy-api.sh,
# cilium-crds.sh, policy-report-crd.sh copy files of a module; helm.sh, netpol-analyzer.sh and kube-binaries.sh
# build commands).
# Nothing is written into the repository. Logs go to stderr through the script's `log`.
#
#   go_find                 sets GO ($GO, else `go` on PATH, else /usr/local/go/bin/go) and Go's environment
#   go_lock CACHE           creates CACHE and takes its lock (two runs at once do the work once)
#   go_module_fetch MODULE VERSION CACHE OUT VERSION_VAR
#   go_module_publish MODULE VERSION TMP OUT FROM WHAT
#   go_binary_publish MODULE VERSION TMP OUT BIN
#
# go_module_fetch fetches a Go module through the Go module proxy into Go's module cache (checked against
# the checksum database as usual), for a script that then copies parts of it into netfence's cache: it
# checks VERSION (vX.Y.Z; VERSION_VAR names the variable to set, for the message), finds Go, takes the lock,
# and exits the script printing OUT when OUT/.complete exists by then. Otherwise runs `go mod download`
# outside any module and sets DIR (the module's files) and SUM.

go_find() {
  GO="${GO:-}"
  if [[ -z "$GO" ]]; then
    if command -v go >/dev/null 2>&1; then GO="$(command -v go)"
    elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
    else log "no Go toolchain found (set GO=/path/to/go)"; exit 1
    fi
  fi
  export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  export GO111MODULE=on
}

go_lock() {
  mkdir -p "$1"
  # Serialise concurrent runs (e.g. two test runs starting at once).
  exec 9>"$1/.lock"
  flock 9
}

go_module_fetch() {
  local module="$1" version="$2" cache="$3" out="$4" version_var="$5" json
  # vX.Y.Z, or a pseudo-version (vX.Y.Z-<date>-<commit>) for a module without tags.
  if [[ ! "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9a-zA-Z.-]+)?$ ]]; then
    log "$version_var must look like vX.Y.Z (got '$version')"
    exit 2
  fi
  go_find
  export GOFLAGS="-mod=mod"
  go_lock "$cache"
  if [[ -f "$out/.complete" ]]; then
    echo "$out"
    exit 0
  fi

  log "go mod download $module@$version"
  # Run outside any module (the cache dir) so no go.mod of ours is read or written.
  json="$(cd "$cache" && "$GO" mod download -json "$module@$version")" || {
    log "could not download $module@$version"
    [[ -n "${json:-}" ]] && echo "$json" >&2
    exit 1
  }
  DIR="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
  SUM="$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
  if [[ -z "$DIR" || ! -d "$DIR" ]]; then
    log "go mod download gave no module directory for $module@$version:"
    echo "$json" >&2
    exit 1
  fi
}

# After the script has copied what it needs of the module into TMP: make it writable, stamp it (module,
# version, checksum, what was copied), rename it into OUT and print OUT.
#
#   go_module_publish MODULE VERSION TMP OUT FROM WHAT
go_module_publish() {
  local module="$1" version="$2" tmp="$3" out="$4" from="$5" what="$6"
  chmod -R u+w "$tmp"
  printf 'module %s\nversion %s\nsum %s\nfrom %s\n' "$module" "$version" "$SUM" "$from" >"$tmp/.complete"
  mv "$tmp" "$out"
  log "copied $what of $module@$version ($SUM) to $out"
  echo "$out"
}

# After the script has built its command into TMP/bin: stamp it (module, version, the Go that built it),
# rename TMP into OUT (replacing an unfinished one) and print the binary's path, OUT/bin/BIN.
#
#   go_binary_publish MODULE VERSION TMP OUT BIN
go_binary_publish() {
  local module="$1" version="$2" tmp="$3" out="$4" bin="$5"
  printf 'module %s\nversion %s\nbuilt with %s\n' "$module" "$version" "$("$GO" version)" >"$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
  log "built $out/bin/$bin"
  echo "$out/bin/$bin"
}
