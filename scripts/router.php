<?php
// Router for PHP's built-in server: static files as they are, everything else through MediaWiki's
// entry points (index.php takes /index.php/Title and /Title style paths alike).
$path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ( $path !== '/' && is_file( $file ) ) {
	return false;
}
if ( preg_match( '#^/(api|load|rest|index)\.php#', $path ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
