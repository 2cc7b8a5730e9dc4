/** Saves bytes or a text as a file, as a download link of the page would: for files the API
 * sends only with the page's bearer token, which a plain link does not carry. */
export function saveFile(content: Blob | string, name: string, type = 'application/octet-stream') {
  const blob = typeof content === 'string' ? new Blob([content], { type }) : content;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // The click has started the download; the file's memory can go after it.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
