// @ts-check
// The meeting's video on the public pages: YouTube and Vimeo embedded, MP4/WebM and HLS in a
// <video> element. A video that cannot play here (an HLS stream in a browser without HLS, a
// broken address, an http:// address the page's Content-Security-Policy blocks) says so and
// offers the address as a link, instead of a player stuck at 0:00.

import { el, t } from './util.js';

const HLS = /\.m3u8(\?|#|$)/i;

/** A message in place of the player, with the address to open directly. */
function videoProblem(url, key) {
  return el('div', { class: 'video-problem', role: 'status' },
    el('p', null, t(key)), el('p', null, el('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, t('meeting.video_link'))));
}

export function videoEmbed(url) {
  if (!url) return null;
  let m = url.match(/(?:youtube(?:-nocookie)?\.com\/(?:watch\?(?:.*&)?v=|embed\/|live\/|shorts\/)|youtu\.be\/)([\w-]{6,})/);
  let src = null;
  if (m) src = `https://www.youtube-nocookie.com/embed/${m[1]}`;
  else if ((m = url.match(/vimeo\.com\/(?:video\/)?(\d+)/))) src = `https://player.vimeo.com/video/${m[1]}`;
  if (src) {
    return el('div', { class: 'video' }, el('iframe', { src, title: t('meeting.video_title'), allow: 'autoplay; encrypted-media; picture-in-picture; fullscreen', allowfullscreen: true, referrerpolicy: 'strict-origin-when-cross-origin' }));
  }
  if (/\.(mp4|webm|m3u8)(\?|#|$)/i.test(url)) {
    // The page only loads media over https (CSP media-src); meetings saved before the server
    // refused http:// addresses may still carry one.
    if (!/^https:\/\//i.test(url)) return videoProblem(url, 'meeting.video_insecure');
    const probe = document.createElement('video');
    if (HLS.test(url) && !probe.canPlayType('application/vnd.apple.mpegurl')) return videoProblem(url, 'meeting.video_no_hls');
    const box = el('div', { class: 'video' });
    const video = el('video', { src: url, controls: true, playsinline: true, preload: 'metadata', 'aria-label': t('meeting.video_title') });
    // Out of the black 16:9 frame: the message reads as text on the page.
    video.addEventListener('error', () => { box.className = ''; box.replaceChildren(videoProblem(url, 'meeting.video_failed')); });
    box.append(video);
    return box;
  }
  return el('p', null, el('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, t('meeting.video_link')));
}
