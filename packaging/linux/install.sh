#!/bin/sh
# Install this Transcript Editor folder for the current user, or remove it (--uninstall).
#
#   ./install.sh               copies the folder to ~/.local/opt/transcript-editor and adds the
#                              menu entry, icons, the project file type and ~/.local/bin/transcript-editor
#   PREFIX=/opt/x ./install.sh the same under another prefix (PREFIX/opt, PREFIX/share, PREFIX/bin)
#   ./install.sh --uninstall   removes all of that again
set -eu

name=transcript-editor
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-"$HOME/.local"}
dest="$prefix/opt/$name"
share="$prefix/share"

refresh() {
    if command -v update-mime-database >/dev/null 2>&1; then
        update-mime-database "$share/mime" >/dev/null 2>&1 || true
    fi
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$share/applications" >/dev/null 2>&1 || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -f -t "$share/icons/hicolor" >/dev/null 2>&1 || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$dest"
    rm -f "$prefix/bin/$name" "$share/applications/$name.desktop" "$share/mime/packages/$name.xml"
    find "$share/icons/hicolor" -path "*/apps/$name.png" -delete 2>/dev/null || true
    refresh
    echo "Removed Transcript Editor from $prefix"
    exit 0
fi

if [ "$here" != "$dest" ]; then
    mkdir -p "$prefix/opt"
    rm -rf "$dest.new"
    cp -a "$here" "$dest.new"
    rm -rf "$dest"
    mv "$dest.new" "$dest"
fi
mkdir -p "$prefix/bin" "$share/applications" "$share/mime/packages"
ln -sf "$dest/$name" "$prefix/bin/$name"
(cd "$dest/share" && find icons -name "$name.png") | while read -r icon; do
    mkdir -p "$share/$(dirname "$icon")"
    cp "$dest/share/$icon" "$share/$icon"
done
cp "$dest/share/mime/packages/$name.xml" "$share/mime/packages/$name.xml"
sed "s|^Exec=.*|Exec=\"$dest/$name\" %F|" "$dest/share/applications/$name.desktop" \
    > "$share/applications/$name.desktop"
refresh
echo "Installed Transcript Editor in $dest (menu entry: $share/applications/$name.desktop)"
