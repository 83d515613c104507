<?php
// Router for PHP's built-in server: static files as they are, everything else through MediaWiki's
// entry points (index.php takes /index.php/Title and /Title style paths alike).
$path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
// The wiki's own static files (its logo) live in the repository's assets/ folder.
if ( preg_match( '#^/gmw-assets/([A-Za-z0-9_-]+\.svg)$#', $path, $m ) ) {
	$asset = dirname( __DIR__ ) . '/assets/' . $m[1];
	if ( is_file( $asset ) ) {
		header( 'Content-Type: image/svg+xml' );
		readfile( $asset );
		return true;
	}
}
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ( $path !== '/' && is_file( $file ) ) {
	return false;
}
if ( preg_match( '#^/(api|load|rest|index|img_auth)\.php#', $path ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
