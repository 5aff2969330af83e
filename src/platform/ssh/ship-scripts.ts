/**
 * The two POSIX sh scripts that store revisions on a host, content-addressed under its folder D:
 *
 *   D/objects/<sha256>           a verified blob (0400); `<sha256>.x` is its executable twin (0500)
 *   D/revisions/<digest>/...     a revision's tree: hard links to the blobs (copies where a link fails)
 *   D/revisions/<digest>/.complete   written last, once the tree matched the digest
 *   D/staging/<id>/              one ship's archive, unpacked blobs and tree under construction
 *
 * Both run as `sh -c SCRIPT ship D DIGEST [ID]`, so nothing but fixed text is ever parsed as shell.
 * They answer on stdout with one keyword per line and exit with one of `SHIP_EXIT`. They need
 * sha256sum, tar, find, sort and coreutils (Debian has them all); no Node.js.
 */

/** Exit statuses of the scripts. */
export const SHIP_EXIT = {
  ok: 0,
  toolsMissing: 10,
  writeFailed: 11,
  corrupt: 12,
  digestMismatch: 13,
  blobMissing: 14,
  protocol: 15,
} as const;

/** Programs the scripts run besides the shell's builtins. */
export const SHIP_TOOLS = [
  'sha256sum',
  'tar',
  'find',
  'sort',
  'ln',
  'cp',
  'mkdir',
  'mv',
  'rm',
  'chmod',
  'cat',
  'wc',
] as const;

/**
 * $1 = D, $2 = digest; stdin = the manifest's blob hashes, one a line. Prints `tools-missing NAME...`
 * (exit 10), or `complete` when the revision is already there, or `lacking` then each hash D/objects lacks.
 */
export const QUERY_SCRIPT = `set -u
D=$1 R=$2
missing=
for t in ${SHIP_TOOLS.join(' ')}; do
  command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then echo "tools-missing$missing"; exit ${SHIP_EXIT.toolsMissing}; fi
if [ -f "$D/revisions/$R/.complete" ]; then echo complete; exit 0; fi
echo lacking
while IFS= read -r h; do
  case $h in *[!0-9a-f]*) continue ;; esac
  [ "\${#h}" -eq 64 ] || continue
  [ -f "$D/objects/$h" ] || echo "$h"
done
exit 0
`;

/**
 * $1 = D, $2 = digest, $3 = a fresh staging id, $4 = `tree` (the default) or `blobs`; stdin = a tar
 * of `b/<sha256>` blobs and `MANIFEST` (the canonical manifest text). Verifies every blob before
 * moving any into objects/, builds the tree in staging, recomputes its digest, and only then moves
 * it into revisions/ and marks it. With `blobs` it stops once the verified blobs are in objects/
 * and prints `stored`: the host's agent builds the tree (local/agent/host-trees.ts, same layout).
 * Prints `received-bytes N`, `received-blobs N`, then `complete`; or `corrupt HASH...`,
 * `manifest-corrupt`, `tar-failed`, `missing HASH`, `write-failed STEP`, or `digest-mismatch GOT`
 * followed by `tree-begin` and the tree's own manifest lines.
 */
export const INSTALL_SCRIPT = `set -u
D=$1 R=$2 S=$1/staging/$3 MODE=\${4:-tree}
umask 077
trap 'rm -rf "$S"' EXIT
trap 'exit 129' HUP INT TERM
w() { "$@" || { echo "write-failed $1"; exit ${SHIP_EXIT.writeFailed}; }; }
protocol() { echo "protocol $1"; exit ${SHIP_EXIT.protocol}; }
w mkdir -p "$D/objects" "$D/revisions" "$D/staging"
# Leftovers of ships that were cut off more than a day ago.
find "$D/staging" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf {} + 2>/dev/null
w mkdir "$S" "$S/in"
w cat > "$S/stream.tar"
echo "received-bytes $(wc -c < "$S/stream.tar")"
cd "$S/in" || protocol cd
tar --no-same-owner -xf ../stream.tar || { echo tar-failed; exit ${SHIP_EXIT.corrupt}; }
find . -mindepth 1 > ../listing || protocol find
while IFS= read -r p; do
  case $p in
    ./MANIFEST) [ -f "$p" ] && [ ! -L "$p" ] || protocol "$p" ;;
    ./b) [ -d "$p" ] && [ ! -L "$p" ] || protocol "$p" ;;
    ./b/*)
      h=\${p#./b/}
      case $h in *[!0-9a-f]*) protocol "$p" ;; esac
      [ "\${#h}" -eq 64 ] && [ -f "$p" ] && [ ! -L "$p" ] || protocol "$p" ;;
    *) protocol "$p" ;;
  esac
done < ../listing
[ -f MANIFEST ] || protocol no-manifest
count=0 bad=
if [ -d b ]; then
  find b -type f -exec sha256sum -- {} + > ../sums || { echo "write-failed sha256sum"; exit ${SHIP_EXIT.writeFailed}; }
  while read -r h p; do
    count=$((count + 1))
    [ "b/$h" = "$p" ] || bad="$bad \${p#b/}"
  done < ../sums
fi
if [ -n "$bad" ]; then echo "corrupt$bad"; exit ${SHIP_EXIT.corrupt}; fi
echo "received-blobs $count"
m=$(sha256sum < MANIFEST) || protocol manifest
[ "\${m%% *}" = "$R" ] || { echo manifest-corrupt; exit ${SHIP_EXIT.corrupt}; }
if [ "$count" -gt 0 ]; then
  w find b -type f -exec chmod 400 {} +
  w find b -type f -exec sh -c 'mv -f "$@" "$0"' "$D/objects" {} +
fi
if [ "$MODE" = blobs ]; then echo stored; exit 0; fi
if [ -f "$D/revisions/$R/.complete" ]; then echo complete; exit 0; fi
T=$S/tree
w mkdir "$T"
while IFS= read -r line; do
  h=\${line%% *} rest=\${line#* }
  x=\${rest%% *} p=\${rest#* }
  case $p in ''|/*|.|..|./*|../*|*/.|*/..|*/./*|*/../*) protocol path ;; esac
  src=$D/objects/$h
  [ -f "$src" ] || { echo "missing $h"; exit ${SHIP_EXIT.blobMissing}; }
  if [ "$x" = x ]; then
    if [ ! -f "$src.x" ]; then
      w cp "$src" "$S/x"
      w chmod 500 "$S/x"
      w mv -f "$S/x" "$src.x"
    fi
    src=$src.x
  fi
  case $p in */*) [ -d "$T/\${p%/*}" ] || w mkdir -p "$T/\${p%/*}" ;; esac
  ln "$src" "$T/$p" 2>/dev/null || w cp -p "$src" "$T/$p"
done < MANIFEST
cd "$T" || protocol cd
w find . -type f -exec sha256sum -- {} + > "$S/tree-sums"
while IFS= read -r line; do
  h=\${line%%  *} p=\${line#*  ./}
  if [ -x "$p" ]; then x=x; else x=-; fi
  printf '%s %s %s\\n' "$h" "$x" "$p"
done < "$S/tree-sums" | LC_ALL=C sort -t ' ' -k 3 > "$S/tree-manifest"
got=$(sha256sum < "$S/tree-manifest") || protocol tree
got=\${got%% *}
if [ "$got" != "$R" ]; then
  echo "digest-mismatch $got"
  echo tree-begin
  cat "$S/tree-manifest"
  exit ${SHIP_EXIT.digestMismatch}
fi
cd "$D" || protocol cd
if [ -f "$D/revisions/$R/.complete" ]; then echo complete; exit 0; fi
w rm -rf "$D/revisions/$R"
w mv "$T" "$D/revisions/$R"
printf '%s\\n' "$R" > "$S/complete" && mv -f "$S/complete" "$D/revisions/$R/.complete" ||
  { echo "write-failed complete"; exit ${SHIP_EXIT.writeFailed}; }
echo complete
exit 0
`;

/** The script that removes blobs found damaged in objects/ (argv after `sh -c SCRIPT ship D`). */
export const FORGET_BLOBS_SCRIPT = `set -u
D=$1
shift
for h in "$@"; do rm -f "$D/objects/$h" "$D/objects/$h.x"; done
`;
