<?php
// Settings of a local Great Multiverse Wiki instance, loaded after the installer's LocalSettings.php.
// Copied into the instance folder by scripts/wiki-up.sh; loopback only, for the bots' tests and demo.
if ( !defined( 'MEDIAWIKI' ) ) {
	exit;
}

// The installer may take a stub `convert` for ImageMagick: not used. Uploads are on for the timeline
// charts (SVG), rendered to PNG thumbnails by Debian's librsvg2-bin (rsvg-convert). The files live in the
// instance folder (this file is copied there) and are served by MediaWiki's img_auth.php, so instances
// side by side never share them.
$wgUseImageMagick = false;
$wgEnableUploads = true;
$wgFileExtensions[] = 'svg';
$wgSVGConverter = 'rsvg';
$wgSVGConverters['rsvg'] = '/usr/bin/rsvg-convert -w $width -h $height -o $output $input';
$wgUploadDirectory = __DIR__ . '/images';
$wgUploadPath = '/img_auth.php';
$wgGroupPermissions['bot']['upload'] = true;
$wgGroupPermissions['bot']['reupload'] = true;
$wgGroupPermissions['bot']['reupload-own'] = true;

// The bot account publishes in bulk: no rate limit, and it may import (the import API is the fast path).
$wgGroupPermissions['bot']['noratelimit'] = true;
$wgGroupPermissions['bot']['import'] = true;
$wgGroupPermissions['bot']['importupload'] = true;
$wgGroupPermissions['sysop']['noratelimit'] = true;

// Sessions in the database: PHP's server runs several worker processes, and a session kept in one
// worker's memory cache is unknown to the next, which logs a bot out in the middle of a long run.
$wgSessionCacheType = CACHE_DB;
// Cookies are per host, not per port: instances side by side on 127.0.0.1 would log each other's clients
// out (one cookie jar, one "gmw_session" cookie). A prefix with the port keeps their sessions apart.
$wgCookiePrefix = 'gmw' . parse_url( $wgServer, PHP_URL_PORT );

// The wiki's own logo (assets/logo.svg, served by scripts/router.php), not MediaWiki's placeholder.
$wgLogos = [ '1x' => '/gmw-assets/logo.svg', 'svg' => '/gmw-assets/logo.svg', 'icon' => '/gmw-assets/logo.svg' ];

// Modules run under Debian's php-luasandbox.
$wgScribuntoDefaultEngine = 'luasandbox';

// Errors in the API's answers, not a blank page, when a test breaks something.
$wgShowExceptionDetails = true;
$wgDebugLogFile = '';
