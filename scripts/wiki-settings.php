<?php
// Settings of a local Great Multiverse Wiki instance, loaded after the installer's LocalSettings.php.
// Copied into the instance folder by scripts/wiki-up.sh; loopback only, for the bots' tests and demo.
if ( !defined( 'MEDIAWIKI' ) ) {
	exit;
}

// The installer may take a stub `convert` for ImageMagick; uploads are not used here.
$wgUseImageMagick = false;
$wgEnableUploads = false;

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
