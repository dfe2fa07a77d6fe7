<?xml version="1.0" encoding="UTF-8"?>
<!-- Shown by browsers that open a feed: the entries as a page, with how to subscribe.
     Feed readers ignore the stylesheet and read the feed itself. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>
  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/></title>
        <style>
          body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;max-width:46em;margin:1em auto;padding:0 1em;color:#222;line-height:1.6}
          .hint{background:#fff7e0;border:1px solid #f0d58c;padding:.8em 1em;border-radius:6px}
          .hint code{background:#fff;padding:0 .3em;word-break:break-all}
          li{margin:.7em 0;list-style:none}
          .meta{color:#777;font-size:.9em}
          a{color:#a60000}
        </style>
      </head>
      <body>
        <h1><xsl:value-of select="$title"/></h1>
        <p class="hint" id="subscribe-hint">这是一个订阅源（RSS/Atom），不是普通网页。
          把本页地址复制到阅读器（如 Feedly、Inoreader、NetNewsWire、Thunderbird）中即可订阅，
          有新信息时阅读器会自动收到。</p>
        <ul>
          <xsl:for-each select="atom:feed/atom:entry">
            <li>
              <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
              <div class="meta">
                <xsl:value-of select="atom:author/atom:name"/>
                <xsl:text> · </xsl:text>
                <xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/>
              </div>
              <div><xsl:value-of select="atom:summary"/></div>
            </li>
          </xsl:for-each>
          <xsl:for-each select="rss/channel/item">
            <li>
              <a href="{link}"><xsl:value-of select="title"/></a>
              <div class="meta"><xsl:value-of select="pubDate"/></div>
              <div><xsl:value-of select="description"/></div>
            </li>
          </xsl:for-each>
        </ul>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
