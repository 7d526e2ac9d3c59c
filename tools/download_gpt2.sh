#!/usr/bin/env bash
# download_gpt2.sh MODEL [options] — fetch a real GPT-2 checkpoint from the Hugging Face hub.
#
#   MODEL: gpt2 (124M), gpt2-medium (355M), gpt2-large (774M), gpt2-xl (1.5B), distilgpt2 (82M)
#   Writes config.json, vocab.json, merges.txt and model.safetensors into weights/MODEL/.
#   `make weights MODEL=gpt2` runs it. See weights/README.md.
#
# How a file arrives: curl writes <file>.partial (resuming it with a Range request when a
# previous run was interrupted); once complete its sha256 is checked against the pinned
# table below, and only then is it renamed to <file>. A file that fails the check is moved
# to <file>.bad (never deleted) and the script exits 1. Files without a pinned hash are
# kept and reported as "not verified (no pinned hash)". Exit codes: 0 ok, 1 failure, 2 usage.
set -euo pipefail

prog=${0##*/}
models="gpt2 gpt2-medium gpt2-large gpt2-xl distilgpt2"
# Small files first, so a wrong URL or a wrong tokenizer fails before the big download.
files="config.json vocab.json merges.txt model.safetensors"

usage() {
  cat <<EOF
usage: $prog MODEL [--base-url URL] [--dest DIR] [--sha256-file FILE] [--tries N]
                   [--max-time SECONDS] [--print-pins]
  MODEL            one of: $models
  --base-url URL   hub address (default https://huggingface.co); files are fetched from
                   URL/<repo>/resolve/main/<file>
  --dest DIR       where to put the files (default: weights/MODEL in the repository)
  --sha256-file F  pinned hashes, lines "<sha256>  <file>" (sha256sum's format); replaces
                   the built-in table for this run
  --tries N        attempts per file; each retry resumes the .partial file (default 5)
  --max-time S     give up on one curl transfer after S seconds (default: no limit)
  --print-pins     print the pinned hashes for MODEL in --sha256-file format and exit
EOF
}
usage_error() { echo "$prog: $*" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 1; }

# Pinned sha256 of each file, per model. Only hashes checked against a published source:
# - vocab.json and merges.txt are the same bytes in every GPT-2 repository on the hub and
#   equal OpenAI's encoder.json and vocab.bpe (git blob ids 1f1d9aac... and 226b0752...
#   on openai-community/gpt2; sizes 1,042,301 and 456,318 bytes).
# - gpt2's model.safetensors: 548,105,171 bytes, the LFS sha256 shown on the hub.
# The other models' weights and every config.json are not pinned: they are reported as
# "not verified (no pinned hash)".
builtin_pins() {
  echo "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783  vocab.json"
  echo "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5  merges.txt"
  if [ "$1" = gpt2 ]; then
    echo "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707  model.safetensors"
  fi
}

# ---- command line (bash builtins only, so that a missing tool is reported afterwards) ----
model="" base_url="https://huggingface.co" dest="" sha_file="" tries=5 max_time="" print_pins=0
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --base-url|--dest|--sha256-file|--tries|--max-time)
      [ $# -ge 2 ] || usage_error "$1 needs a value"
      case $1 in
        --base-url) base_url=$2 ;;
        --dest) dest=$2 ;;
        --sha256-file) sha_file=$2 ;;
        --tries) tries=$2 ;;
        --max-time) max_time=$2 ;;
      esac
      shift 2 ;;
    --print-pins) print_pins=1; shift ;;
    -*) usage_error "unknown option '$1' (see --help)" ;;
    *) [ -z "$model" ] || usage_error "one MODEL only (got '$model' and '$1')"
       model=$1; shift ;;
  esac
done
case $model in
  gpt2|gpt2-medium|gpt2-large|gpt2-xl) repo=openai-community/$model ;;
  distilgpt2) repo=distilbert/distilgpt2 ;;
  "") usage_error "no model given (choose one of: $models)" ;;
  *) usage_error "unknown model '$model' (choose one of: $models)" ;;
esac
[[ $tries =~ ^[1-9][0-9]*$ ]] || usage_error "--tries wants a positive integer, got '$tries'"
[ -z "$max_time" ] || [[ $max_time =~ ^[1-9][0-9]*$ ]] ||
  usage_error "--max-time wants a positive integer (seconds), got '$max_time'"
base_url=${base_url%/}

# The pin table in effect: "hash  name" lines, from --sha256-file or the built-in table.
if [ -n "$sha_file" ]; then
  [ -r "$sha_file" ] || usage_error "cannot read --sha256-file '$sha_file'"
  pins="" n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    case $line in ""|"#"*) continue ;; esac
    read -r h f rest <<<"$line"
    f=${f#\*}  # sha256sum -b marks binary mode with '*'
    if ! [[ $h =~ ^[0-9a-f]{64}$ ]] || [ -z "$f" ] || [ -n "$rest" ]; then
      usage_error "$sha_file:$n: expected '<64 lowercase hex digits>  <file name>'"
    fi
    pins+="$h  $f"$'\n'
  done <"$sha_file"
else
  pins=$(builtin_pins "$model")
fi
if [ "$print_pins" = 1 ]; then
  printf '%s\n' "$pins" | grep -v '^$' || true
  exit 0
fi

pinned_hash() {  # pinned_hash NAME: prints NAME's pinned sha256, or nothing
  local h f
  while read -r h f; do
    if [ -n "$h" ] && [ "$f" = "$1" ]; then echo "$h"; return 0; fi
  done <<<"$pins"
}

# ---- tools ----
command -v curl >/dev/null 2>&1 ||
  die "curl is not installed; install it (Debian/Ubuntu: sudo apt-get install curl; macOS: brew install curl)"
if command -v sha256sum >/dev/null 2>&1; then sha_cmd=(sha256sum)
elif command -v shasum >/dev/null 2>&1; then sha_cmd=(shasum -a 256)
else die "neither sha256sum nor shasum is installed (Debian/Ubuntu: coreutils)"
fi
sha256_of() { local h _; read -r h _ < <("${sha_cmd[@]}" "$1"); echo "$h"; }
size_of() { wc -c <"$1" | tr -d ' '; }

if [ -z "$dest" ]; then
  src=${BASH_SOURCE[0]}
  case $src in */*) here=${src%/*} ;; *) here=. ;; esac
  dest="$(cd "$here/.." && pwd)/weights/$model"
fi

# curl's own messages go to a file, and the last one into ours: one line per failure, not
# curl's lines and then ours. (On a terminal curl draws its progress bar on stderr, so there
# it keeps stderr, and a transfer that breaks shows curl's line too.)
curl_log=$(mktemp "${TMPDIR:-/tmp}/download_gpt2.XXXXXX")
created_dest=0
cleanup() {  # on every exit: curl's log, and the destination if we made it and nothing came
  rm -f -- "$curl_log"
  if [ "$created_dest" = 1 ]; then rmdir -- "$dest" 2>/dev/null || true; fi
}
trap cleanup EXIT
curl_said() {  # curl's last message, without its "curl: (7) " prefix
  local last
  last=$(tail -n 1 -- "$curl_log" 2>/dev/null) || true
  last=${last#curl: (*) }
  echo "${last:-no message}"
}

# --fail: an HTTP error is an error, not a saved error page. --location: the hub redirects
# large files to its CDN. --speed-limit/--speed-time: abort a stalled transfer (under 1 KB/s
# for a minute) so the retry loop below can resume it. --retry: curl's own retries of
# transient HTTP errors (408, 429, 5xx) and timeouts.
curl_opts=(--location --fail --retry 3 --retry-delay 2 --connect-timeout 30
           --speed-limit 1024 --speed-time 60 --user-agent gptwalk-download)
if [ -t 2 ]; then curl_opts+=(--progress-bar); curl_err=/dev/stderr
else curl_opts+=(--silent --show-error); curl_err=$curl_log; fi
[ -z "$max_time" ] || curl_opts+=(--max-time "$max_time")

# Offline, or a wrong --base-url: say so in one line before anything is created or printed.
# (An HTTP error such as 404 means the hub answered; the download below names the file.)
reach() {
  local rc=0
  curl --silent --show-error --head --location --connect-timeout 30 ${max_time:+--max-time "$max_time"} \
       --user-agent gptwalk-download --output /dev/null "$base_url/$repo/resolve/main/config.json" \
       2>"$curl_log" || rc=$?
  [ "$rc" -eq 0 ] || die "cannot reach $base_url: $(curl_said) (curl exit $rc); check the network or --base-url"
}
missing=0
for name in $files; do [ -f "$dest/$name" ] || missing=1; done
[ "$missing" = 0 ] || reach
[ -d "$dest" ] || created_dest=1
mkdir -p -- "$dest"

move_aside() {  # move_aside FROM FINAL: moves FROM to FINAL.bad (or .bad.1, ...), prints it
  local target="$2.bad" n=1
  while [ -e "$target" ]; do target="$2.bad.$n"; n=$((n + 1)); done
  mv -- "$1" "$target"
  echo "$target"
}

# Downloads $url into $part, resuming what is there; retries interrupted transfers.
download() {  # download NAME URL PART
  local name=$1 url=$2 part=$3 try=1 rc code
  while :; do
    if [ -s "$part" ]; then echo "$name: resuming at byte $(size_of "$part")"
    else echo "$name: downloading $url"; fi
    rc=0
    code=$(curl "${curl_opts[@]}" --continue-at - --output "$part" --write-out '%{http_code}' "$url" \
           2>"$curl_err") || rc=$?
    [ "$rc" -eq 0 ] && return 0
    # 416: nothing past our offset — an earlier run got every byte but stopped before
    # the rename. The hash check (when pinned) decides whether the bytes are right.
    if [ "$code" = 416 ] && [ -s "$part" ]; then
      echo "$name: the server has no bytes past $(size_of "$part"); taking $part as complete"
      return 0
    fi
    case $rc in
      22) die "$name: HTTP $code from $url" ;;
      33) echo "$name: the server cannot resume; starting again from byte 0"; : >"$part" ;;
      18|28|52|55|56|92) ;;  # cut off, too slow, or reset: resume on the next try
      *) die "$name: curl failed fetching $url: $(curl_said) (curl exit $rc)" ;;
    esac
    if [ "$try" -ge "$tries" ]; then
      die "$name: transfer interrupted ($(curl_said); curl exit $rc; tries: $try); run again to resume $part"
    fi
    sleep "$try"
    try=$((try + 1))
  done
}

n_verified=0 n_unverified=0
fetch() {  # fetch NAME
  local name=$1 final="$dest/$1" part="$dest/$1.partial" want got bad
  want=$(pinned_hash "$name")
  if [ -f "$final" ]; then
    if [ -z "$want" ]; then
      echo "$name: already present (not verified: no pinned hash)"
      n_unverified=$((n_unverified + 1)); return 0
    fi
    got=$(sha256_of "$final")
    if [ "$got" = "$want" ]; then
      echo "$name: already present, sha256 verified"
      n_verified=$((n_verified + 1)); return 0
    fi
    bad=$(move_aside "$final" "$final")
    echo "$name: the file already there does not match its pinned sha256; moved it to $bad and downloading again" >&2
  fi
  download "$name" "$base_url/$repo/resolve/main/$name" "$part"
  if [ -z "$want" ]; then
    mv -f -- "$part" "$final"
    echo "$name: $(size_of "$final") bytes, not verified (no pinned hash)"
    n_unverified=$((n_unverified + 1)); return 0
  fi
  got=$(sha256_of "$part")
  if [ "$got" != "$want" ]; then
    bad=$(move_aside "$part" "$final")
    die "$name: sha256 mismatch
  expected $want
  got      $got
  the downloaded bytes are kept in $bad (not deleted); remove it and run again"
  fi
  mv -f -- "$part" "$final"
  echo "$name: $(size_of "$final") bytes, sha256 verified"
  n_verified=$((n_verified + 1))
}

echo "$model: $repo -> $dest"
for name in $files; do fetch "$name"; done
echo "$model: done ($n_verified verified, $n_unverified not verified: no pinned hash)"
