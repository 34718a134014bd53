// The page's static files (no build step): inspector-page/ at the package root, the same relative
// path from dist/inspector/ and src/inspector/. Read on first use and kept.
import { readFileSync } from 'node:fs'

const PAGE_DIR = new URL('../../inspector-page/', import.meta.url)

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'list.js': 'text/javascript; charset=utf-8',
  'detail.js': 'text/javascript; charset=utf-8',
  'compare.js': 'text/javascript; charset=utf-8',
  'environment.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml'
}

export interface PageAsset { body: Buffer, type: string }

const cache = new Map<string, PageAsset>()

/** A file of the page by name; only the names listed above exist. */
export function pageAsset (name: string): PageAsset | undefined {
  const type = Object.hasOwn(TYPES, name) ? TYPES[name] : undefined
  if (type === undefined) return undefined
  let asset = cache.get(name)
  if (asset === undefined) {
    asset = { body: readFileSync(new URL(name, PAGE_DIR)), type }
    cache.set(name, asset)
  }
  return asset
}
